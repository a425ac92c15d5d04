// format/reader.h: private spelling of the public header lakepack/reader.h (kept so that
// existing includes keep working; new code includes "lakepack/reader.h").
#pragma once

#include "format/format.h"
#include "format/schema_policy.h"
#include "lakepack/reader.h"
