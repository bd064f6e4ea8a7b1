# One floe_fuzz_target(...) per parser. Seed corpora are folders (read-only is fine).
