// ops/convert.h: private spelling of the public header lakepack/convert.h (kept so that
// existing includes keep working; new code includes "lakepack/convert.h").
#pragma once

#include "base/job.h"
#include "format/format.h"
#include "format/writer.h"
#include "lakepack/convert.h"
