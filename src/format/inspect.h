// format/inspect.h: private spelling of the public header lakepack/inspect.h (kept so that
// existing includes keep working; new code includes "lakepack/inspect.h").
#pragma once

#include "format/format.h"
#include "format/reader.h"
#include "lakepack/inspect.h"
