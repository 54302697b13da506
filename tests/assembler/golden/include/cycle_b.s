# Included by cycle_a.s; including cycle_a.s again is an include cycle.
        .include "cycle_a.s"              # CHECK-ERROR: :[[@LINE]]:18: error: include cycle: 'include/cycle_a.s' is already being included
# CHECK-NOTE: in file included from include/cycle_a.s:2
# CHECK-NOTE: in file included from include-invalid.s:3
