;; A small library for `rho:ffi:wasm`; examples/ffi/library.rho embeds its
;; bytes. It follows the FFI's conventions: it imports nothing, exports its
;; memory as `memory`, and exports `rho_alloc` to receive byte arrays.
(module
  (memory (export "memory") 1 1)
  (global $next (mut i32) (i32.const 1024))

  ;; The host calls `rho_alloc(len)` for each byte-array argument and copies
  ;; the bytes to the address it returns. Every call runs in a fresh
  ;; instance, so a bump allocator that never frees is enough.
  (func $alloc (export "rho_alloc") (param $len i32) (result i32)
    (local $ptr i32)
    global.get $next
    local.set $ptr
    global.get $next
    local.get $len
    i32.add
    global.set $next
    local.get $ptr)

  ;; Ints are i64 (or i32) parameters and results.
  (func (export "add") (param i64 i64) (result i64)
    local.get 0
    local.get 1
    i64.add)

  ;; A byte array arrives as (pointer, length); two i32 results are a byte
  ;; array returned as (pointer, length).
  (func (export "reverse") (param $src i32) (param $len i32) (result i32 i32)
    (local $dst i32)
    (local $i i32)
    local.get $len
    call $alloc
    local.set $dst
    block $done
      loop $next
        local.get $i
        local.get $len
        i32.ge_u
        br_if $done
        ;; dst[len - 1 - i] = src[i]
        local.get $dst
        local.get $len
        i32.add
        local.get $i
        i32.sub
        i32.const 1
        i32.sub
        local.get $src
        local.get $i
        i32.add
        i32.load8_u
        i32.store8
        local.get $i
        i32.const 1
        i32.add
        local.set $i
        br $next
      end
    end
    local.get $dst
    local.get $len))
