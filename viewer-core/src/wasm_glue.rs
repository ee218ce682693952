//! wasm32 glue the pure-Rust JPEG 2000 decoder (the `openjp2` port of OpenJPEG) needs.
//!
//! 1. It frees null pointers through the global allocator; the wasm allocator traps on that,
//!    so the global allocator ignores null frees.
//! 2. It calls `malloc`, `calloc`, `realloc`, `free` and `strcpy` as C functions; on
//!    wasm32-unknown-unknown nothing provides them (the module would import `env.malloc`,
//!    which browsers cannot resolve), so they are defined here over `std::alloc`.
//!
//! This is the only `unsafe` code of the workspace.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};

struct NullSafeAllocator;

// SAFETY: forwards to `System` unchanged, except that freeing null is a no-op (as in C).
unsafe impl GlobalAlloc for NullSafeAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        System.alloc_zeroed(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if !ptr.is_null() {
            System.dealloc(ptr, layout)
        }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static ALLOCATOR: NullSafeAllocator = NullSafeAllocator;

/// Every C allocation carries a header holding its total size, so `free` and `realloc` can
/// rebuild the `Layout`. 16 bytes keeps the payload aligned as C's `max_align_t`.
const HEADER: usize = 16;
const ALIGN: usize = 16;

unsafe fn c_alloc(size: usize, zeroed: bool) -> *mut u8 {
    let Some(total) = size.checked_add(HEADER) else {
        return std::ptr::null_mut();
    };
    let Ok(layout) = Layout::from_size_align(total, ALIGN) else {
        return std::ptr::null_mut();
    };
    let base = if zeroed {
        std::alloc::alloc_zeroed(layout)
    } else {
        std::alloc::alloc(layout)
    };
    if base.is_null() {
        return base;
    }
    (base as *mut usize).write(total);
    base.add(HEADER)
}

/// # Safety
/// C `malloc` semantics.
#[no_mangle]
pub unsafe extern "C" fn malloc(size: usize) -> *mut u8 {
    c_alloc(size, false)
}

/// # Safety
/// C `calloc` semantics.
#[no_mangle]
pub unsafe extern "C" fn calloc(count: usize, size: usize) -> *mut u8 {
    match count.checked_mul(size) {
        Some(bytes) => c_alloc(bytes, true),
        None => std::ptr::null_mut(),
    }
}

/// # Safety
/// C `free` semantics: `ptr` is null or came from this module's `malloc`/`calloc`/`realloc`.
#[no_mangle]
pub unsafe extern "C" fn free(ptr: *mut u8) {
    if ptr.is_null() {
        return;
    }
    let base = ptr.sub(HEADER);
    let total = (base as *const usize).read();
    std::alloc::dealloc(base, Layout::from_size_align_unchecked(total, ALIGN));
}

/// # Safety
/// C `realloc` semantics.
#[no_mangle]
pub unsafe extern "C" fn realloc(ptr: *mut u8, size: usize) -> *mut u8 {
    if ptr.is_null() {
        return c_alloc(size, false);
    }
    let Some(new_total) = size.checked_add(HEADER) else {
        return std::ptr::null_mut();
    };
    let base = ptr.sub(HEADER);
    let total = (base as *const usize).read();
    let grown = std::alloc::realloc(
        base,
        Layout::from_size_align_unchecked(total, ALIGN),
        new_total,
    );
    if grown.is_null() {
        return grown;
    }
    (grown as *mut usize).write(new_total);
    grown.add(HEADER)
}

/// # Safety
/// C `strcpy` semantics: `src` is NUL-terminated and `dst` is large enough.
#[no_mangle]
pub unsafe extern "C" fn strcpy(dst: *mut u8, src: *const u8) -> *mut u8 {
    let mut i = 0;
    loop {
        let byte = *src.add(i);
        *dst.add(i) = byte;
        if byte == 0 {
            return dst;
        }
        i += 1;
    }
}
