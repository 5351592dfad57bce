/* Small kernel32 services Windows socket programs call in passing (Linux side: it needs
 * <unistd.h>, whose gethostname clashes with Winsock's).  Plain types stand for DWORD (uint32_t),
 * ULONGLONG (uint64_t) and LARGE_INTEGER (int64_t); the Windows headers declare the real names. */
#define _GNU_SOURCE
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint32_t GetTickCount(void)
{
    return (uint32_t)(monotonic_ns() / 1000000u);
}

uint64_t GetTickCount64(void)
{
    return monotonic_ns() / 1000000u;
}

int QueryPerformanceCounter(int64_t *count)
{
    *count = (int64_t)monotonic_ns();
    return 1;
}

int QueryPerformanceFrequency(int64_t *freq)
{
    *freq = 1000000000;
    return 1;
}

uint32_t GetCurrentProcessId(void)
{
    return (uint32_t)getpid();
}

/* SYSTEM_INFO (x86_64 Windows layout), filled field by field. */
struct system_info {
    uint16_t wProcessorArchitecture, wReserved;
    uint32_t dwPageSize;
    void *lpMinimumApplicationAddress, *lpMaximumApplicationAddress;
    uint64_t dwActiveProcessorMask;
    uint32_t dwNumberOfProcessors, dwProcessorType, dwAllocationGranularity;
    uint16_t wProcessorLevel, wProcessorRevision;
};

void GetSystemInfo(struct system_info *si)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    memset(si, 0, sizeof *si);
    si->wProcessorArchitecture = 9; /* PROCESSOR_ARCHITECTURE_AMD64 */
    si->dwPageSize = (uint32_t)sysconf(_SC_PAGESIZE);
    si->lpMinimumApplicationAddress = (void *)0x10000;
    si->lpMaximumApplicationAddress = (void *)0x7ffffffeffff;
    si->dwNumberOfProcessors = cpus > 0 ? (uint32_t)cpus : 1;
    si->dwActiveProcessorMask = si->dwNumberOfProcessors >= 64 ? ~0ull : (1ull << si->dwNumberOfProcessors) - 1;
    si->dwProcessorType = 8664; /* PROCESSOR_AMD_X8664 */
    si->dwAllocationGranularity = 65536;
    si->wProcessorLevel = 6;
}
