#include "floe/ingest/event_mapper.h"

#include <gtest/gtest.h>
