/*
 * ovio Windows headers: C++ overloads for the count and flag pointers (SPEC K3).
 *
 * Windows' DWORD and u_long are `unsigned long`; here they are `unsigned int` (32-bit, as they
 * must be).  So C++ code that is correct on Windows (`unsigned long n; WSARecv(..., &n, ...)`) and
 * the common sloppy form (`int n; WSARecv(..., &n, ...)`, an -fpermissive error in g++) would not
 * compile.  These overloads accept a pointer to int, unsigned, long or unsigned long and pass a
 * DWORD-sized temporary, copied in before and out after the call.  A value the call did not write
 * comes back unchanged (truncated to 32 bits).  The exact DWORD/u_long forms still go straight to
 * the real functions.  C has no overloading: there such calls draw -Wpointer-sign /
 * -Wincompatible-pointer-types warnings, and only the low 32 bits of a `long` are written.
 *
 * Included at the end of kernel32.h and of winsock2.h; each part appears once its functions are
 * declared.
 */
#if defined(__cplusplus)

#ifndef OVIO_WIN32_CXX_COMPAT_BASE
#define OVIO_WIN32_CXX_COMPAT_BASE
extern "C++" {
namespace ovio_cxx
{
template <typename T> struct dword_like {
    static const bool value = false;
};
template <> struct dword_like<int> {
    static const bool value = true;
};
template <> struct dword_like<unsigned int> {
    static const bool value = true;
};
template <> struct dword_like<long> {
    static const bool value = true;
};
template <> struct dword_like<unsigned long> {
    static const bool value = true;
};

/* A DWORD standing in for the program's integer while a call runs. */
template <typename T> class dword_slot
{
  public:
    explicit dword_slot(T *p) : p_(p), v_(p ? (DWORD)*p : 0)
    {
        static_assert(dword_like<T>::value, "a DWORD count must point to an integer");
    }
    ~dword_slot()
    {
        if (p_)
            *p_ = (T)v_;
    }
    DWORD *get()
    {
        return p_ ? &v_ : (DWORD *)0;
    }

  private:
    dword_slot(const dword_slot &);
    dword_slot &operator=(const dword_slot &);
    T *p_;
    DWORD v_;
};
} // namespace ovio_cxx
}
#endif

#if defined(OVIO_WIN32_KERNEL32_DECLARED) && !defined(OVIO_WIN32_CXX_COMPAT_KERNEL32)
#define OVIO_WIN32_CXX_COMPAT_KERNEL32
extern "C++" {
template <typename N>
inline BOOL GetQueuedCompletionStatus(HANDLE port, N *bytes, PULONG_PTR key, LPOVERLAPPED *ov,
                                      DWORD ms)
{
    ovio_cxx::dword_slot<N> b(bytes);
    return ::GetQueuedCompletionStatus(port, b.get(), key, ov, ms);
}
template <typename N> inline BOOL GetExitCodeThread(HANDLE thread, N *code)
{
    ovio_cxx::dword_slot<N> c(code);
    return ::GetExitCodeThread(thread, c.get());
}
}
#endif

#if defined(OVIO_WIN32_WINSOCK2_DECLARED) && !defined(OVIO_WIN32_CXX_COMPAT_WINSOCK2)
#define OVIO_WIN32_CXX_COMPAT_WINSOCK2
extern "C++" {
template <typename T> inline int ioctlsocket(SOCKET s, LONG cmd, T *argp)
{
    ovio_cxx::dword_slot<T> a(argp);
    return ::ioctlsocket(s, cmd, a.get());
}
template <typename N>
inline int WSASend(SOCKET s, LPWSABUF bufs, DWORD count, N *sent, DWORD flags, LPWSAOVERLAPPED ov,
                   LPWSAOVERLAPPED_COMPLETION_ROUTINE fn)
{
    ovio_cxx::dword_slot<N> n(sent);
    return ::WSASend(s, bufs, count, n.get(), flags, ov, fn);
}
template <typename N>
inline int WSASendTo(SOCKET s, LPWSABUF bufs, DWORD count, N *sent, DWORD flags,
                     const struct sockaddr *to, int tolen, LPWSAOVERLAPPED ov,
                     LPWSAOVERLAPPED_COMPLETION_ROUTINE fn)
{
    ovio_cxx::dword_slot<N> n(sent);
    return ::WSASendTo(s, bufs, count, n.get(), flags, to, tolen, ov, fn);
}
template <typename N, typename F>
inline int WSARecv(SOCKET s, LPWSABUF bufs, DWORD count, N *received, F *flags, LPWSAOVERLAPPED ov,
                   LPWSAOVERLAPPED_COMPLETION_ROUTINE fn)
{
    ovio_cxx::dword_slot<N> n(received);
    ovio_cxx::dword_slot<F> f(flags);
    return ::WSARecv(s, bufs, count, n.get(), f.get(), ov, fn);
}
template <typename N, typename F>
inline int WSARecvFrom(SOCKET s, LPWSABUF bufs, DWORD count, N *received, F *flags,
                       struct sockaddr *from, LPINT fromlen, LPWSAOVERLAPPED ov,
                       LPWSAOVERLAPPED_COMPLETION_ROUTINE fn)
{
    ovio_cxx::dword_slot<N> n(received);
    ovio_cxx::dword_slot<F> f(flags);
    return ::WSARecvFrom(s, bufs, count, n.get(), f.get(), from, fromlen, ov, fn);
}
/* lpdwFlags is most often NULL: one overload with a template count and a plain flags pointer. */
template <typename N>
inline BOOL WSAGetOverlappedResult(SOCKET s, LPWSAOVERLAPPED ov, N *transferred, BOOL wait,
                                   LPDWORD flags)
{
    ovio_cxx::dword_slot<N> n(transferred);
    return ::WSAGetOverlappedResult(s, ov, n.get(), wait, flags);
}
template <typename N, typename F>
inline BOOL WSAGetOverlappedResult(SOCKET s, LPWSAOVERLAPPED ov, N *transferred, BOOL wait,
                                   F *flags)
{
    ovio_cxx::dword_slot<N> n(transferred);
    ovio_cxx::dword_slot<F> f(flags);
    return ::WSAGetOverlappedResult(s, ov, n.get(), wait, f.get());
}
template <typename N>
inline int WSAIoctl(SOCKET s, DWORD code, LPVOID in, DWORD in_len, LPVOID out, DWORD out_len,
                    N *returned, LPWSAOVERLAPPED ov, LPWSAOVERLAPPED_COMPLETION_ROUTINE fn)
{
    ovio_cxx::dword_slot<N> n(returned);
    return ::WSAIoctl(s, code, in, in_len, out, out_len, n.get(), ov, fn);
}
}
#endif

#endif /* __cplusplus */
