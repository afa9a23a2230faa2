;; trap: numeric ABI; _start traps.
(module
  (func (export "_start")
    unreachable))
