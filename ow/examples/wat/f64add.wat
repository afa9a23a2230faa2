;; f64add: numeric ABI with mixed types; _start(a f64, b i64) -> a + f64(b).
(module
  (func (export "_start") (param $a f64) (param $b i64) (result f64)
    local.get $a
    local.get $b
    f64.convert_i64_s
    f64.add))
