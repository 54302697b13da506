# .include diagnostics: errors inside included files carry "in file included from" notes.
        .include "bad_include.s"
        .include "cycle_a.s"
        .include "missing.s"              # CHECK-ERROR: :[[@LINE]]:18: error: cannot find include file 'missing.s' (searched: the including file's directory, include)
