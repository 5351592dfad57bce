/*
 * ovio Windows headers: <tchar.h> - the generic-text mappings.  The ANSI build (no UNICODE or
 * _UNICODE) maps every name to the C library's char function.  With _UNICODE only the names whose
 * wide form exists in the C library are mapped (wprintf, wcslen, ...); note that wchar_t is 32-bit
 * on Linux and that there is no wmain, so `_tmain` is only usable in the ANSI build.
 */
#ifndef OVIO_WIN32_TCHAR_H
#define OVIO_WIN32_TCHAR_H

#include "types.h"

#if defined(UNICODE) && !defined(_UNICODE)
#define _UNICODE
#endif

#if defined(_UNICODE)

typedef wchar_t _TCHAR;
typedef wchar_t _TSCHAR;
typedef wchar_t _TUCHAR;
typedef wchar_t _TXCHAR;
typedef wint_t _TINT;
#define _TEOF WEOF
#define __T(x) L##x

#define _tprintf wprintf
#define _ftprintf fwprintf
#define _vtprintf vwprintf
#define _vftprintf vfwprintf
#define _sntprintf swprintf
#define _vsntprintf vswprintf
#define _tscanf wscanf
#define _ftscanf fwscanf
#define _stscanf swscanf
#define _fgetts fgetws
#define _fputts fputws
#define _gettchar getwchar
#define _puttchar putwchar
#define _gettc getwc
#define _puttc putwc
#define _tcslen wcslen
#define _tcscpy wcscpy
#define _tcsncpy wcsncpy
#define _tcscat wcscat
#define _tcsncat wcsncat
#define _tcscmp wcscmp
#define _tcsncmp wcsncmp
#define _tcsicmp wcscasecmp
#define _tcsnicmp wcsncasecmp
#define _tcschr wcschr
#define _tcsrchr wcsrchr
#define _tcsstr wcsstr
#define _tcsspn wcsspn
#define _tcscspn wcscspn
#define _tcspbrk wcspbrk
#define _tcsdup wcsdup
#define _tcstol wcstol
#define _tcstoul wcstoul
#define _tcstod wcstod
#define _ttoi(s) ((int)wcstol((s), NULL, 10))
#define _ttol(s) wcstol((s), NULL, 10)
#define _tstoi _ttoi
#define _istalpha iswalpha
#define _istdigit iswdigit
#define _istalnum iswalnum
#define _istspace iswspace
#define _istupper iswupper
#define _istlower iswlower
#define _istxdigit iswxdigit
#define _istpunct iswpunct
#define _istprint iswprint
#define _totupper towupper
#define _totlower towlower
#define _tcsftime wcsftime

#else /* ANSI */

typedef char _TCHAR;
typedef signed char _TSCHAR;
typedef unsigned char _TUCHAR;
typedef char _TXCHAR;
typedef int _TINT;
#define _TEOF EOF
#define __T(x) x

#define _tmain main
#define _tprintf printf
#define _ftprintf fprintf
#define _stprintf sprintf
#define _sntprintf snprintf
#define _vtprintf vprintf
#define _vftprintf vfprintf
#define _vstprintf vsprintf
#define _vsntprintf vsnprintf
#define _tscanf scanf
#define _ftscanf fscanf
#define _stscanf sscanf
#define _fgetts fgets
#define _fputts fputs
#define _gettchar getchar
#define _puttchar putchar
#define _gettc getc
#define _puttc putc
#define _tcslen strlen
#define _tcscpy strcpy
#define _tcsncpy strncpy
#define _tcscat strcat
#define _tcsncat strncat
#define _tcscmp strcmp
#define _tcsncmp strncmp
#define _tcsicmp strcasecmp
#define _tcsnicmp strncasecmp
#define _tcschr strchr
#define _tcsrchr strrchr
#define _tcsstr strstr
#define _tcsspn strspn
#define _tcscspn strcspn
#define _tcspbrk strpbrk
#define _tcstok strtok
#define _tcsdup strdup
#define _tcstol strtol
#define _tcstoul strtoul
#define _tcstod strtod
#define _ttoi atoi
#define _ttol atol
#define _tstoi atoi
#define _istalpha isalpha
#define _istdigit isdigit
#define _istalnum isalnum
#define _istspace isspace
#define _istupper isupper
#define _istlower islower
#define _istxdigit isxdigit
#define _istpunct ispunct
#define _istprint isprint
#define _totupper toupper
#define _totlower tolower
#define _tcsftime strftime
#define _tfopen fopen
#define _tgetenv getenv
#define _tsystem system
#define _tperror perror
#define _tremove remove
#define _trename rename
#define _tcserror strerror

#endif

#define _T(x) __T(x)
#define _TEXT(x) __T(x)

#endif /* OVIO_WIN32_TCHAR_H */
