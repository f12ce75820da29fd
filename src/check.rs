//! Plan → coverage gaps, conflicts and fairness. Pure.
