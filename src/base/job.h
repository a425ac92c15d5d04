// base/job.h: private spelling of the public header lakepack/job.h (kept so that
// existing includes keep working; new code includes "lakepack/job.h").
#pragma once

#include "lakepack/job.h"
