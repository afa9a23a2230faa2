;; membomb: numeric ABI; grows its unbounded memory 16 pages (1 MiB) at a
;; time forever, dirtying every 4 KiB of each new region; traps with
;; unreachable once memory.grow fails.
(module
  (memory (export "memory") 1)
  (func (export "_start")
    (local $old i32)   ;; page count before the grow
    (local $addr i32)  ;; next byte to dirty
    (local $end i32)   ;; end of the new region
    (loop $grow
      i32.const 16
      memory.grow
      local.tee $old
      i32.const -1
      i32.eq
      if
        unreachable
      end
      local.get $old
      i32.const 65536
      i32.mul
      local.set $addr
      local.get $old
      i32.const 16
      i32.add
      i32.const 65536
      i32.mul
      local.set $end
      (loop $dirty
        local.get $addr
        i32.const 1
        i32.store8
        local.get $addr
        i32.const 4096
        i32.add
        local.tee $addr
        local.get $end
        i32.ne
        br_if $dirty)
      br $grow)))
