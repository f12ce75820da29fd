//! Plan + now + what was sent → the reminders due. Pure.
