/*
 * ovio Windows headers: <process.h> - the C runtime's thread functions.  Threads made here are
 * ovio threads: their handle is waitable and they can receive APCs and completion routines.
 */
#ifndef OVIO_WIN32_PROCESS_H
#define OVIO_WIN32_PROCESS_H

#include "types.h"

OVIO_EXTERN_C_BEGIN

/* Returns the thread's HANDLE as an integer, 0 on failure (errno set, as the CRT does). */
uintptr_t __cdecl _beginthreadex(void *security, unsigned stack_size,
                                 unsigned(__stdcall *start_address)(void *), void *arglist,
                                 unsigned initflag, unsigned *thrdaddr);
void __cdecl _endthreadex(unsigned retval);

OVIO_EXTERN_C_END

#endif /* OVIO_WIN32_PROCESS_H */
