// SPDX-License-Identifier: AGPL-3.0-or-later
// store/thread_annotations.h: Clang thread-safety annotations and an
// annotated Mutex/CondVar, so -Wthread-safety checks the store's locking.
// libstdc++'s std::mutex carries no annotations, hence the thin wrappers.
#ifndef SAFEHOUSE_STORE_THREAD_ANNOTATIONS_H_
#define SAFEHOUSE_STORE_THREAD_ANNOTATIONS_H_

#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define SAFEHOUSE_TSA(x) __attribute__((x))
#else
#define SAFEHOUSE_TSA(x)
#endif

#define CAPABILITY(x) SAFEHOUSE_TSA(capability(x))
#define SCOPED_CAPABILITY SAFEHOUSE_TSA(scoped_lockable)
#define GUARDED_BY(x) SAFEHOUSE_TSA(guarded_by(x))
#define PT_GUARDED_BY(x) SAFEHOUSE_TSA(pt_guarded_by(x))
#define REQUIRES(...) SAFEHOUSE_TSA(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) SAFEHOUSE_TSA(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) SAFEHOUSE_TSA(acquire_capability(__VA_ARGS__))
#define RELEASE(...) SAFEHOUSE_TSA(release_capability(__VA_ARGS__))
#define ASSERT_CAPABILITY(x) SAFEHOUSE_TSA(assert_capability(x))
#define NO_THREAD_SAFETY_ANALYSIS SAFEHOUSE_TSA(no_thread_safety_analysis)

namespace safehouse::store {

// A std::mutex the analysis understands. Thread-safe, of course.
class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;
  void lock() ACQUIRE() { mu_.lock(); }
  void unlock() RELEASE() { mu_.unlock(); }

 private:
  friend class CondVar;
  std::mutex mu_;
};

// Holds a Mutex for a scope. Used by one thread.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.lock(); }
  ~MutexLock() RELEASE() { mu_.unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mu_;
};

// A condition variable for a Mutex (LevelDB's port::CondVar). The mutex is
// passed to wait() so that the analysis can check it is held. Thread-safe.
class CondVar {
 public:
  CondVar() = default;
  void wait(Mutex& mu) REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu.mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();  // still held: ownership goes back to the caller
  }
  void signal() { cv_.notify_one(); }
  void signal_all() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

// A capability that one thread holds by design rather than by locking, e.g.
// "the writer thread" (no state, so trivially thread-safe): data GUARDED_BY a role may be touched
// only by functions that REQUIRE it, and the thread's entry point asserts it.
class CAPABILITY("role") ThreadRole {
 public:
  void assert_held() const ASSERT_CAPABILITY(this) {}
};

}  // namespace safehouse::store

#endif  // SAFEHOUSE_STORE_THREAD_ANNOTATIONS_H_
