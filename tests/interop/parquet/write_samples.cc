// Filled in once the Parquet writer lands.
int main() { return 1; }
