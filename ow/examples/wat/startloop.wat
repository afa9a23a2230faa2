;; startloop: a start section that never returns. Instantiating it must be
;; stopped by the deadline like any other runaway guest.
(module
  (memory (export "memory") 1)
  (func $spin (loop $l (br $l)))
  (start $spin)
  (func (export "_start")))
