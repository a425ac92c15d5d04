// ops/remove.h: private spelling of the public header lakepack/remove.h.
#pragma once

#include "lakepack/remove.h"
