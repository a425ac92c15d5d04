// format/writer.h: private spelling of the public header lakepack/writer.h (kept so that
// existing includes keep working; new code includes "lakepack/writer.h").
#pragma once

#include "format/format.h"
#include "lakepack/writer.h"
