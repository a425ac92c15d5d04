// format/block_writer.h: private spelling of the public header lakepack/block_writer.h (kept so
// that existing includes keep working; new code includes "lakepack/block_writer.h").
#pragma once

#include "lakepack/block_writer.h"
