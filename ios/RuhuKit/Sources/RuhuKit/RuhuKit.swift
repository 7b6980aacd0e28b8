// The app imports RuhuKit only; the generated binding types (RuhuDevice, User, AssignmentItem, RuhuError, …) come
// with it.
@_exported import RuhuMobile
