// SPDX-License-Identifier: AGPL-3.0-or-later
// store/sqlite_vfs.cpp: the forwarding VFS. Every method passes through to
// the real VFS and file; xWrite and xSync ask the FileSystem first.
#include "store/sqlite_vfs.h"

#include <atomic>

namespace safehouse::store::detail {
namespace {

// Our sqlite3_file: the real VFS's file object follows it in memory.
struct ShimFile {
  sqlite3_file base;
  sqlite3_file* real;
  FileSystem* fs;
};
static_assert(sizeof(ShimFile) % 8 == 0, "the real file after ShimFile must stay aligned");

sqlite3_file* real(sqlite3_file* f) {
  return reinterpret_cast<ShimFile*>(f)->real;
}
const sqlite3_io_methods* methods(sqlite3_file* f) {
  return real(f)->pMethods;
}

int shim_close(sqlite3_file* f) {
  return methods(f)->xClose(real(f));
}
int shim_read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  return methods(f)->xRead(real(f), buf, n, off);
}
int shim_write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  auto checked = reinterpret_cast<ShimFile*>(f)->fs->check_database_io(DatabaseIo::kWrite,
                                                                       static_cast<std::size_t>(n));
  if (!checked) {
    return checked.error().code() == ErrorCode::kUnavailable ? SQLITE_FULL : SQLITE_IOERR_WRITE;
  }
  return methods(f)->xWrite(real(f), buf, n, off);
}
int shim_truncate(sqlite3_file* f, sqlite3_int64 size) {
  return methods(f)->xTruncate(real(f), size);
}
int shim_sync(sqlite3_file* f, int flags) {
  if (!reinterpret_cast<ShimFile*>(f)->fs->check_database_io(DatabaseIo::kSync, 0)) {
    return SQLITE_IOERR_FSYNC;
  }
  return methods(f)->xSync(real(f), flags);
}
int shim_file_size(sqlite3_file* f, sqlite3_int64* size) {
  return methods(f)->xFileSize(real(f), size);
}
int shim_lock(sqlite3_file* f, int level) {
  return methods(f)->xLock(real(f), level);
}
int shim_unlock(sqlite3_file* f, int level) {
  return methods(f)->xUnlock(real(f), level);
}
int shim_check_reserved(sqlite3_file* f, int* out) {
  return methods(f)->xCheckReservedLock(real(f), out);
}
int shim_file_control(sqlite3_file* f, int op, void* arg) {
  return methods(f)->xFileControl(real(f), op, arg);
}
int shim_sector_size(sqlite3_file* f) {
  return methods(f)->xSectorSize(real(f));
}
int shim_device(sqlite3_file* f) {
  return methods(f)->xDeviceCharacteristics(real(f));
}
// The real file may have older io methods than ours (iVersion 1 has no
// shared memory, 2 no mmap); answer as SQLite expects from such a file.
bool has_version(sqlite3_file* f, int version) {
  return methods(f)->iVersion >= version;
}
int shim_shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  if (!has_version(f, 2)) return SQLITE_IOERR_SHMMAP;
  return methods(f)->xShmMap(real(f), region, size, extend, out);
}
int shim_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  if (!has_version(f, 2)) return SQLITE_IOERR_SHMLOCK;
  return methods(f)->xShmLock(real(f), offset, n, flags);
}
void shim_shm_barrier(sqlite3_file* f) {
  if (has_version(f, 2)) methods(f)->xShmBarrier(real(f));
}
int shim_shm_unmap(sqlite3_file* f, int remove) {
  if (!has_version(f, 2)) return SQLITE_OK;
  return methods(f)->xShmUnmap(real(f), remove);
}
int shim_fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** out) {
  if (!has_version(f, 3)) {
    *out = nullptr;  // "no mapping": SQLite falls back to xRead
    return SQLITE_OK;
  }
  return methods(f)->xFetch(real(f), off, n, out);
}
int shim_unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  if (!has_version(f, 3)) return SQLITE_OK;
  return methods(f)->xUnfetch(real(f), off, p);
}

// Version 3 methods: the unix VFS provides all of them (WAL needs xShm*).
const sqlite3_io_methods kShimMethods = {
    3,
    shim_close,
    shim_read,
    shim_write,
    shim_truncate,
    shim_sync,
    shim_file_size,
    shim_lock,
    shim_unlock,
    shim_check_reserved,
    shim_file_control,
    shim_sector_size,
    shim_device,
    shim_shm_map,
    shim_shm_lock,
    shim_shm_barrier,
    shim_shm_unmap,
    shim_fetch,
    shim_unfetch,
};

sqlite3_vfs* real_vfs(sqlite3_vfs* vfs) {
  return static_cast<sqlite3_vfs*>(vfs->pAppData);
}

// The VFS-level methods forward with the real VFS pointer, because the unix
// VFS keeps its own state in pAppData.
int vfs_delete(sqlite3_vfs* v, const char* name, int sync_dir) {
  return real_vfs(v)->xDelete(real_vfs(v), name, sync_dir);
}
int vfs_access(sqlite3_vfs* v, const char* name, int flags, int* out) {
  return real_vfs(v)->xAccess(real_vfs(v), name, flags, out);
}
int vfs_full_pathname(sqlite3_vfs* v, const char* name, int n, char* out) {
  return real_vfs(v)->xFullPathname(real_vfs(v), name, n, out);
}
void* vfs_dl_open(sqlite3_vfs* v, const char* name) {
  return real_vfs(v)->xDlOpen(real_vfs(v), name);
}
void vfs_dl_error(sqlite3_vfs* v, int n, char* out) {
  real_vfs(v)->xDlError(real_vfs(v), n, out);
}
void (*vfs_dl_sym(sqlite3_vfs* v, void* handle, const char* sym))(void) {
  return real_vfs(v)->xDlSym(real_vfs(v), handle, sym);
}
void vfs_dl_close(sqlite3_vfs* v, void* handle) {
  real_vfs(v)->xDlClose(real_vfs(v), handle);
}
int vfs_randomness(sqlite3_vfs* v, int n, char* out) {
  return real_vfs(v)->xRandomness(real_vfs(v), n, out);
}
int vfs_sleep(sqlite3_vfs* v, int micros) {
  return real_vfs(v)->xSleep(real_vfs(v), micros);
}
int vfs_current_time(sqlite3_vfs* v, double* out) {
  return real_vfs(v)->xCurrentTime(real_vfs(v), out);
}
int vfs_last_error(sqlite3_vfs* v, int n, char* out) {
  return real_vfs(v)->xGetLastError(real_vfs(v), n, out);
}
int vfs_current_time64(sqlite3_vfs* v, sqlite3_int64* out) {
  return real_vfs(v)->xCurrentTimeInt64(real_vfs(v), out);
}

std::atomic<unsigned> next_vfs_number{0};

}  // namespace

ShimVfs::ShimVfs(FileSystem& fs, sqlite3_vfs* real_vfs_ptr)
    : fs_(fs), real_(real_vfs_ptr), name_("safehouse-" + std::to_string(next_vfs_number++)) {
  reg_.vfs.iVersion = 2;
  reg_.vfs.szOsFile = static_cast<int>(sizeof(ShimFile)) + real_->szOsFile;
  reg_.vfs.mxPathname = real_->mxPathname;
  reg_.vfs.zName = name_.c_str();
  reg_.vfs.pAppData = real_;
  reg_.vfs.xOpen = &ShimVfs::open;
  reg_.vfs.xDelete = vfs_delete;
  reg_.vfs.xAccess = vfs_access;
  reg_.vfs.xFullPathname = vfs_full_pathname;
  reg_.vfs.xDlOpen = vfs_dl_open;
  reg_.vfs.xDlError = vfs_dl_error;
  reg_.vfs.xDlSym = vfs_dl_sym;
  reg_.vfs.xDlClose = vfs_dl_close;
  reg_.vfs.xRandomness = vfs_randomness;
  reg_.vfs.xSleep = vfs_sleep;
  reg_.vfs.xCurrentTime = vfs_current_time;
  reg_.vfs.xGetLastError = vfs_last_error;
  reg_.vfs.xCurrentTimeInt64 = vfs_current_time64;
  reg_.owner = this;
}

Result<std::unique_ptr<ShimVfs>> ShimVfs::create(FileSystem& fs) {
  sqlite3_vfs* base = sqlite3_vfs_find(nullptr);
  if (base == nullptr || base->iVersion < 2) {
    return Error(ErrorCode::kInternal, "sqlite: no usable default vfs");
  }
  std::unique_ptr<ShimVfs> vfs(new ShimVfs(fs, base));
  if (sqlite3_vfs_register(&vfs->reg_.vfs, 0) != SQLITE_OK) {
    return Error(ErrorCode::kInternal, "sqlite: cannot register vfs");
  }
  return vfs;
}

ShimVfs::~ShimVfs() {
  sqlite3_vfs_unregister(&reg_.vfs);
}

// Opens the real file behind ours and points ours at the forwarding methods.
int ShimVfs::open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags,
                  int* out_flags) {
  auto* shim = reinterpret_cast<ShimFile*>(file);
  ShimVfs* self = reinterpret_cast<Registration*>(vfs)->owner;
  shim->real = reinterpret_cast<sqlite3_file*>(shim + 1);
  shim->real->pMethods = nullptr;
  shim->fs = &self->fs_;
  int rc = self->real_->xOpen(self->real_, name, shim->real, flags, out_flags);
  // SQLite calls xClose whenever pMethods is set, even after a failed open.
  shim->base.pMethods = shim->real->pMethods != nullptr ? &kShimMethods : nullptr;
  return rc;
}

}  // namespace safehouse::store::detail
