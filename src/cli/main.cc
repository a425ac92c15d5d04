// lakepack: the command line (src/cli/dispatch.cc does the work).
#include "cli/verbs.h"

int main(int argc, char** argv) { return lakepack::cli::RunMain(argc, argv); }
