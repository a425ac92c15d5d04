// gen/generate_job.h: private spelling of the public header lakepack/generate.h (kept so that
// existing includes keep working; new code includes "lakepack/generate.h").
#pragma once

#include "format/format.h"
#include "lakepack/generate.h"
