// ops/move.h: private spelling of the public header lakepack/move.h.
#pragma once

#include "lakepack/move.h"
