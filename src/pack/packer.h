// pack/packer.h: private spelling of the public header lakepack/pack.h (kept so that
// existing includes keep working; new code includes "lakepack/pack.h").
#pragma once

#include "format/schema_policy.h"
#include "lakepack/pack.h"
#include "pack/naming.h"
#include "pack/plan.h"
