/* event MPM: being written. */
#include "config.h"
