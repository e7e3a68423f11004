mod cli;

// Loading and rendering make many short-lived strings on every core; jemalloc's
// per-thread caches spend less time in the allocator than glibc's arenas (about 15% of a
// 10,000-page build; see bench/profile-notes.md).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read at start-up: two arenas (its default, four per core, held
/// 20-35 MiB more at peak; per-thread caches keep contention low), and freed pages
/// returned to the system after 300 ms by jemalloc's own thread, which keeps peak memory
/// near glibc's.
#[allow(non_upper_case_globals)]
#[unsafe(export_name = "_rjem_malloc_conf")]
pub static malloc_conf: &[u8] =
    b"narenas:2,background_thread:true,dirty_decay_ms:300,muzzy_decay_ms:0\0";

fn main() {
    std::process::exit(cli::run());
}
