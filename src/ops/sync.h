// ops/sync.h: private spelling of the public header lakepack/sync.h.
#pragma once

#include "lakepack/sync.h"
