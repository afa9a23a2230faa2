;; spin: numeric ABI; returns its argument, but spins forever when it is
;; non-zero: a warm instance whose later activation runs away.
(module
  (func (export "_start") (param i32) (result i32)
    (if (local.get 0)
      (then (loop $forever (br $forever))))
    (local.get 0)))
