// ops/copy.h: private spelling of the public header lakepack/copy.h (kept so that
// existing includes keep working; new code includes "lakepack/copy.h").
#pragma once

#include "base/job.h"
#include "lakepack/copy.h"
