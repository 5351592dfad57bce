/*
 * ovio Windows headers: base types and macros of <windef.h>, <minwindef.h>, <winnt.h>, <basetsd.h>
 * and <guiddef.h>, for 64-bit Windows (LLP64).  Sizes are Windows' (checked against MinGW-w64 by
 * tests/k_constants_sdk); see prelude.h for the few that cannot match (long, wchar_t).
 */
#ifndef OVIO_WIN32_TYPES_H
#define OVIO_WIN32_TYPES_H

#include "prelude.h"

/* ---- calling conventions and decorations: meaningless on x86_64 Linux ------------------------ */
#define WINAPI
#define WINAPIV
#define WSAAPI
#define CALLBACK
#define APIENTRY
#define PASCAL
#define NTAPI
#define WINBASEAPI
#define WINSOCK_API_LINKAGE
#define DECLSPEC_IMPORT
#define DECLSPEC_NORETURN __attribute__((noreturn))
#define FAR
#define NEAR
#define CONST const
#define VOID void
#ifndef IN
#define IN
#endif
#ifndef OUT
#define OUT
#endif
#ifndef OPTIONAL
#define OPTIONAL
#endif
#ifndef __cdecl
#define __cdecl
#endif
#ifndef __stdcall
#define __stdcall
#endif
#ifndef __fastcall
#define __fastcall
#endif
#ifndef __forceinline
#define __forceinline inline __attribute__((always_inline))
#endif
/* MSVC integer keywords. */
#ifndef __int8
#define __int8 char
#endif
#ifndef __int16
#define __int16 short
#endif
#ifndef __int32
#define __int32 int
#endif
#ifndef __int64
#define __int64 long long
#endif
/* __declspec(x): the common attributes map to gcc's, the rest (dllimport, dllexport) vanish. */
#ifndef __declspec
#define __declspec(x) OVIO_DECLSPEC_##x
#define OVIO_DECLSPEC_dllimport
#define OVIO_DECLSPEC_dllexport
#define OVIO_DECLSPEC_noinline __attribute__((noinline))
#define OVIO_DECLSPEC_noreturn __attribute__((noreturn))
#define OVIO_DECLSPEC_thread __thread
#define OVIO_DECLSPEC_selectany __attribute__((weak))
#define OVIO_DECLSPEC_deprecated __attribute__((deprecated))
#define OVIO_DECLSPEC_novtable
#define OVIO_DECLSPEC_align(n) __attribute__((aligned(n)))
#endif
/* The SAL annotations that appear in code copied from Microsoft's pages. */
#define _In_
#define _In_opt_
#define _In_z_
#define _In_reads_(n)
#define _In_reads_bytes_(n)
#define _In_reads_opt_(n)
#define _Out_
#define _Out_opt_
#define _Out_writes_(n)
#define _Out_writes_bytes_(n)
#define _Out_writes_opt_(n)
#define _Out_writes_bytes_opt_(n)
#define _Inout_
#define _Inout_opt_
#define _Outptr_
#define _Reserved_
#define _Success_(expr)
#define _Printf_format_string_
#define _Check_return_

/* Anonymous struct/union members are named only when the program asks for it, as in the SDK. */
#if defined(NONAMELESSUNION)
#define DUMMYUNIONNAME u
#define DUMMYUNIONNAME2 u2
#define DUMMYUNIONNAME3 u3
#define DUMMYUNIONNAME4 u4
#define DUMMYUNIONNAME5 u5
#define DUMMYSTRUCTNAME s
#define DUMMYSTRUCTNAME2 s2
#define DUMMYSTRUCTNAME3 s3
#define DUMMYSTRUCTNAME4 s4
#define DUMMYSTRUCTNAME5 s5
#else
#define DUMMYUNIONNAME
#define DUMMYUNIONNAME2
#define DUMMYUNIONNAME3
#define DUMMYUNIONNAME4
#define DUMMYUNIONNAME5
#define DUMMYSTRUCTNAME
#define DUMMYSTRUCTNAME2
#define DUMMYSTRUCTNAME3
#define DUMMYSTRUCTNAME4
#define DUMMYSTRUCTNAME5
#endif

/* Windows 10, as MinGW-w64 assumes when the program does not say. */
#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0A00
#endif
#ifndef WINVER
#define WINVER _WIN32_WINNT
#endif

OVIO_EXTERN_C_BEGIN

/* ---- <basetsd.h>: fixed-size and pointer-size integers --------------------------------------- */
typedef signed char INT8, *PINT8;
typedef short INT16, *PINT16;
typedef int INT32, *PINT32;
typedef long long INT64, *PINT64;
typedef unsigned char UINT8, *PUINT8;
typedef unsigned short UINT16, *PUINT16;
typedef unsigned int UINT32, *PUINT32;
typedef unsigned long long UINT64, *PUINT64;
typedef int LONG32, *PLONG32;
typedef unsigned int ULONG32, *PULONG32;
typedef unsigned int DWORD32, *PDWORD32;
typedef long long LONG64, *PLONG64;
typedef unsigned long long ULONG64, *PULONG64;
typedef unsigned long long DWORD64, *PDWORD64;
/* Pointer-sized: the SDK uses __int64 on Win64; intptr_t/uintptr_t are the same size here and keep
 * ULONG_PTR, SIZE_T and size_t one type, so `size_t *` passes for PULONG_PTR. */
typedef intptr_t INT_PTR, *PINT_PTR;
typedef uintptr_t UINT_PTR, *PUINT_PTR;
typedef intptr_t LONG_PTR, *PLONG_PTR;
typedef uintptr_t ULONG_PTR, *PULONG_PTR;
typedef ULONG_PTR DWORD_PTR, *PDWORD_PTR;
typedef ULONG_PTR SIZE_T, *PSIZE_T;
typedef LONG_PTR SSIZE_T, *PSSIZE_T;

/* ---- <minwindef.h> / <winnt.h>: the basic types ---------------------------------------------- */
typedef void *PVOID, *LPVOID;
typedef const void *LPCVOID, *PCVOID;
typedef char CHAR, *PCHAR, *LPCH, *PCH;
typedef unsigned char UCHAR, *PUCHAR;
typedef short SHORT, *PSHORT;
typedef unsigned short USHORT, *PUSHORT;
typedef int INT, *PINT, *LPINT;
typedef unsigned int UINT, *PUINT, *LPUINT;
typedef int LONG, *PLONG, *LPLONG; /* 32-bit, as Windows' long */
typedef unsigned int ULONG, *PULONG;
typedef unsigned int DWORD, *PDWORD, *LPDWORD;
typedef unsigned char BYTE, *PBYTE, *LPBYTE;
typedef unsigned short WORD, *PWORD, *LPWORD;
typedef int BOOL, *PBOOL, *LPBOOL;
typedef BYTE BOOLEAN, *PBOOLEAN;
typedef float FLOAT, *PFLOAT;
typedef long long LONGLONG, *PLONGLONG;
typedef unsigned long long ULONGLONG, *PULONGLONG;
typedef ULONGLONG DWORDLONG, *PDWORDLONG;
typedef wchar_t WCHAR, *PWCHAR, *LPWCH, *PWCH; /* 32-bit on Linux (2 bytes on Windows) */
typedef CHAR *LPSTR, *PSTR, *NPSTR;
typedef const CHAR *LPCSTR, *PCSTR;
typedef WCHAR *LPWSTR, *PWSTR, *NWPSTR;
typedef const WCHAR *LPCWSTR, *PCWSTR;
typedef void *HANDLE, **PHANDLE, **LPHANDLE;
typedef LONG HRESULT;
typedef LONG NTSTATUS, *PNTSTATUS;
typedef DWORD LCID;
typedef WORD ATOM;
typedef UINT_PTR WPARAM;
typedef LONG_PTR LPARAM;
typedef LONG_PTR LRESULT;
typedef INT_PTR(WINAPI *FARPROC)(void);
typedef INT_PTR(WINAPI *NEARPROC)(void);
typedef INT_PTR(WINAPI *PROC)(void);

/* Opaque handle types that appear in Winsock signatures (WSAAsyncSelect, WinMain). */
#define DECLARE_HANDLE(name)                                                                       \
    struct name##__ {                                                                              \
        int unused;                                                                                \
    };                                                                                             \
    typedef struct name##__ *name
DECLARE_HANDLE(HWND);
DECLARE_HANDLE(HINSTANCE);
typedef HINSTANCE HMODULE;

/* TCHAR: ANSI unless the program defines UNICODE (wide APIs exist only where C has them). */
#if defined(UNICODE)
typedef WCHAR TCHAR, *PTCHAR, TBYTE, *PTBYTE;
typedef LPWSTR LPTSTR, PTSTR;
typedef LPCWSTR LPCTSTR, PCTSTR;
#define __TEXT(quote) L##quote
#else
typedef char TCHAR, *PTCHAR;
typedef unsigned char TBYTE, *PTBYTE;
typedef LPSTR LPTSTR, PTSTR;
typedef LPCSTR LPCTSTR, PCTSTR;
#define __TEXT(quote) quote
#endif
#define TEXT(quote) __TEXT(quote)

typedef union _LARGE_INTEGER {
    struct {
        DWORD LowPart;
        LONG HighPart;
    } DUMMYSTRUCTNAME;
    struct {
        DWORD LowPart;
        LONG HighPart;
    } u;
    LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

typedef union _ULARGE_INTEGER {
    struct {
        DWORD LowPart;
        DWORD HighPart;
    } DUMMYSTRUCTNAME;
    struct {
        DWORD LowPart;
        DWORD HighPart;
    } u;
    ULONGLONG QuadPart;
} ULARGE_INTEGER, *PULARGE_INTEGER;

/* ---- <guiddef.h> ----------------------------------------------------------------------------- */
#ifndef GUID_DEFINED
#define GUID_DEFINED
typedef struct _GUID {
    unsigned int Data1; /* `unsigned long` in the SDK: 32-bit */
    unsigned short Data2;
    unsigned short Data3;
    unsigned char Data4[8];
} GUID;
#endif
typedef GUID *LPGUID;
typedef const GUID *LPCGUID;
typedef GUID IID, CLSID;
#define IsEqualGUID(a, b) (memcmp((a), (b), sizeof(GUID)) == 0)

OVIO_EXTERN_C_END

/* ---- constants ------------------------------------------------------------------------------- */
#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif
#define MAXBYTE 0xff
#define MAXWORD 0xffff
#define MAXDWORD 0xffffffff
#define MAXCHAR 0x7f
#define MINCHAR 0x80
#define MAXSHORT 0x7fff
#define MINSHORT 0x8000
#define MAXLONG 0x7fffffff
#define MINLONG 0x80000000
#define MAXLONGLONG (0x7fffffffffffffffLL)
#define MAX_PATH 260

/* ---- <minwindef.h> / <winnt.h> macros -------------------------------------------------------- */
#define MAKEWORD(low, high)                                                                        \
    ((WORD)(((BYTE)((DWORD_PTR)(low)&0xff)) | ((WORD)((BYTE)((DWORD_PTR)(high)&0xff))) << 8))
#define MAKELONG(low, high)                                                                        \
    ((LONG)(((WORD)((DWORD_PTR)(low)&0xffff)) | ((DWORD)((WORD)((DWORD_PTR)(high)&0xffff))) << 16))
#define LOWORD(l) ((WORD)((DWORD_PTR)(l)&0xffff))
#define HIWORD(l) ((WORD)((DWORD_PTR)(l) >> 16))
#define LOBYTE(w) ((BYTE)((DWORD_PTR)(w)&0xff))
#define HIBYTE(w) ((BYTE)((DWORD_PTR)(w) >> 8))
#define UNREFERENCED_PARAMETER(p) ((void)(p))
#define ARRAYSIZE(a) (sizeof(a) / sizeof((a)[0]))
#ifndef _countof
#define _countof(a) (sizeof(a) / sizeof((a)[0]))
#endif
#define FIELD_OFFSET(type, field) ((LONG)offsetof(type, field))
#define CONTAINING_RECORD(address, type, field) ((type *)((char *)(address)-offsetof(type, field)))
#define SUCCEEDED(hr) (((HRESULT)(hr)) >= 0)
#define FAILED(hr) (((HRESULT)(hr)) < 0)

/* min and max are macros in <windef.h>.  In C++ they would break <algorithm> included later, so
 * there (as with NOMINMAX) they are left to std::min/std::max. */
#if !defined(__cplusplus) && !defined(NOMINMAX)
#ifndef max
#define max(a, b) (((a) > (b)) ? (a) : (b))
#endif
#ifndef min
#define min(a, b) (((a) < (b)) ? (a) : (b))
#endif
#endif

/* ---- memory macros of <winbase.h>/<winnt.h> -------------------------------------------------- */
#define ZeroMemory(dest, len) memset((dest), 0, (len))
#define FillMemory(dest, len, fill) memset((dest), (fill), (len))
#define CopyMemory(dest, src, len) memcpy((dest), (src), (len))
#define MoveMemory(dest, src, len) memmove((dest), (src), (len))
#define RtlZeroMemory ZeroMemory
#define RtlFillMemory FillMemory
#define RtlCopyMemory CopyMemory
#define RtlMoveMemory MoveMemory
/* SecureZeroMemory must survive dead-store elimination: write through a volatile pointer. */
static inline PVOID ovio_SecureZeroMemory(PVOID ptr, SIZE_T cnt)
{
    volatile unsigned char *p = (volatile unsigned char *)ptr;
    while (cnt--)
        *p++ = 0;
    return ptr;
}
#define SecureZeroMemory(ptr, cnt) ovio_SecureZeroMemory((ptr), (cnt))
#define RtlSecureZeroMemory SecureZeroMemory

#endif /* OVIO_WIN32_TYPES_H */
