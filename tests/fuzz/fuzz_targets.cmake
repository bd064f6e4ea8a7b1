# One floe_fuzz_target(...) per parser. Seed corpora are folders (read-only is fine).
floe_fuzz_target(avro_reader_fuzz SOURCES avro_reader_fuzz.cc DEPS floe_avro CORPUS ${FLOE_SHARED_DIR}/fixtures/iceberg)
floe_fuzz_target(parquet_reader_fuzz SOURCES parquet_reader_fuzz.cc DEPS floe_parquet CORPUS ${FLOE_SHARED_DIR}/fixtures/iceberg ${CMAKE_CURRENT_SOURCE_DIR}/corpus/parquet_reader)
floe_fuzz_target(ingest_decoder_fuzz SOURCES ingest_decoder_fuzz.cc DEPS floe_ingest CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/ingest_decoder DICT ${CMAKE_CURRENT_SOURCE_DIR}/ingest_decoder.dict)
floe_fuzz_target(expression_fuzz SOURCES expression_fuzz.cc DEPS floe_iceberg CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/expression)
floe_fuzz_target(wal_replay_fuzz SOURCES wal_replay_fuzz.cc DEPS floe_ingest CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/wal_replay)
