// gen/data_generator.h: private spelling of the public header lakepack/data_generator.h (kept so
// that existing includes keep working; new code includes "lakepack/data_generator.h").
#pragma once

#include "lakepack/data_generator.h"
