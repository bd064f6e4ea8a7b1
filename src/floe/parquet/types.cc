#include "floe/parquet/types.h"
