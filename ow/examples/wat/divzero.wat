;; divzero: numeric ABI; _start(a, b) -> a / b (signed); b = 0 traps.
(module
  (func (export "_start") (param $a i32) (param $b i32) (result i32)
    local.get $a
    local.get $b
    i32.div_s))
