// Object types that functions of this package take as arguments. None does yet: every argument
// is a string or a list of strings. The module exists so that `smartag.types.input` is where a
// generated SDK would have it, and later object-typed arguments have an obvious home.
export {};
