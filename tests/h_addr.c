/*
 * Address helpers with Windows' numbers and layouts: byte order, inet_addr/inet_ntoa,
 * inet_pton/inet_ntop (AF_INET6 is 23), getaddrinfo for "127.0.0.1", "::1" and "localhost"
 * (Windows' ADDRINFOA layout, family translated, errors as WSA codes), getnameinfo,
 * gethostbyname/gethostbyaddr (Windows' hostent), getservbyname (Win64 servent) and gethostname.
 */
#include "helpers.h"

static void test_byte_order(void)
{
    CHECK_EQ(htons(0x1234), 0x3412);
    CHECK_EQ(ntohs(0x3412), 0x1234);
    CHECK_EQ(htonl(0x12345678), 0x78563412);
    CHECK_EQ(ntohl(0x78563412), 0x12345678);
    CHECK_EQ(sizeof(htonl(0)), 4); /* u_long is 32-bit, as on Windows */
    SOCKET s = socket(AF_INET, SOCK_DGRAM, 0);
    u_long nl = 0;
    u_short ns = 0;
    CHECK_EQ(WSAHtonl(s, 0x01020304, &nl), 0);
    CHECK_EQ(nl, 0x04030201);
    CHECK_EQ(WSAHtons(s, 0x0102, &ns), 0);
    CHECK_EQ(ns, 0x0201);
    CHECK_EQ(WSANtohl(s, nl, &nl), 0);
    CHECK_EQ(nl, 0x01020304);
    closesocket(s);
}

static void test_text_forms(void)
{
    CHECK_EQ(inet_addr("127.0.0.1"), htonl(0x7f000001));
    CHECK_EQ(inet_addr("10.1"), htonl(0x0a000001)); /* the BSD short forms */
    CHECK_EQ(inet_addr("0x7f.1"), htonl(0x7f000001));
    CHECK_EQ(inet_addr("not an address"), INADDR_NONE);
    CHECK_EQ(inet_addr(NULL), INADDR_NONE);

    IN_ADDR ia;
    ia.s_addr = htonl(0xc0a80102);
    CHECK(strcmp(inet_ntoa(ia), "192.168.1.2") == 0);
    CHECK_EQ(ia.S_un.S_un_b.s_b1, 192);
    CHECK_EQ(ia.s_net, 192);
    CHECK_EQ(ia.s_impno, 2);

    unsigned char b6[16];
    CHECK_EQ(inet_pton(AF_INET6, "::1", b6), 1);
    CHECK(memcmp(b6, &in6addr_loopback, 16) == 0);
    CHECK_EQ(InetPtonA(AF_INET, "1.2.3.4", &ia), 1);
    CHECK_EQ(ia.s_addr, htonl(0x01020304));
    CHECK_EQ(inet_pton(AF_INET, "1.2.3", &ia), 0); /* not an inet_pton form */
    CHECK_EQ(inet_pton(AF_INET6, "1.2.3.4", b6), 0);
    /* Linux's AF_INET6 (10) is not Windows' (23). */
    CHECK_ERR(inet_pton(10, "::1", b6), -1, WSAEAFNOSUPPORT);

    char text[INET6_ADDRSTRLEN];
    CHECK(inet_ntop(AF_INET6, &in6addr_loopback, text, sizeof text) == text);
    CHECK(strcmp(text, "::1") == 0);
    CHECK(InetNtopA(AF_INET, &ia, text, sizeof text) == text);
    CHECK(strcmp(text, "1.2.3.4") == 0);
    WSASetLastError(0);
    CHECK(inet_ntop(AF_INET, &ia, text, 4) == NULL);
    CHECK_EQ(WSAGetLastError(), ERROR_INVALID_PARAMETER);
    CHECK(IN6_IS_ADDR_LOOPBACK(&in6addr_loopback));
    CHECK(IN6_IS_ADDR_UNSPECIFIED(&in6addr_any));
}

static void check_ai_v4(const ADDRINFOA *ai, u_short port)
{
    CHECK_EQ(ai->ai_family, AF_INET);
    CHECK_EQ(ai->ai_addrlen, sizeof(SOCKADDR_IN));
    const SOCKADDR_IN *in = (const SOCKADDR_IN *)ai->ai_addr;
    CHECK_EQ(in->sin_family, AF_INET);
    CHECK_EQ(in->sin_port, htons(port));
}

static void test_getaddrinfo(void)
{
    ADDRINFOA hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST;
    CHECK_EQ(getaddrinfo("127.0.0.1", "8080", &hints, &res), 0);
    CHECK(res != NULL);
    check_ai_v4(res, 8080);
    CHECK_EQ(((SOCKADDR_IN *)res->ai_addr)->sin_addr.s_addr, htonl(INADDR_LOOPBACK));
    CHECK_EQ(res->ai_socktype, SOCK_STREAM);
    CHECK_EQ(res->ai_protocol, IPPROTO_TCP);
    CHECK(res->ai_next == NULL);
    freeaddrinfo(res);

    /* An IPv6 literal comes back as Windows' AF_INET6 with a 28-byte sockaddr_in6. */
    hints.ai_family = AF_UNSPEC;
    res = NULL;
    CHECK_EQ(getaddrinfo("::1", NULL, &hints, &res), 0);
    CHECK_EQ(res->ai_family, 23);
    CHECK_EQ(res->ai_addrlen, 28);
    const SOCKADDR_IN6 *in6 = (const SOCKADDR_IN6 *)res->ai_addr;
    CHECK_EQ(in6->sin6_family, 23);
    CHECK(memcmp(&in6->sin6_addr, &in6addr_loopback, 16) == 0);
    freeaddrinfo(res);

    /* "localhost": every result is AF_INET or AF_INET6 in Windows' numbering. */
    hints.ai_flags = 0;
    res = NULL;
    CHECK_EQ(getaddrinfo("localhost", "80", &hints, &res), 0);
    int n = 0;
    for (ADDRINFOA *ai = res; ai; ai = ai->ai_next, n++) {
        CHECK(ai->ai_family == AF_INET || ai->ai_family == AF_INET6);
        CHECK_EQ(ai->ai_addr->sa_family, ai->ai_family);
        CHECK_EQ(ai->ai_addrlen, ai->ai_family == AF_INET ? 16 : 28);
    }
    CHECK(n > 0);
    freeaddrinfo(res);
    hints.ai_family = AF_INET;
    res = NULL;
    CHECK_EQ(getaddrinfo("localhost", "80", &hints, &res), 0);
    check_ai_v4(res, 80);
    CHECK_EQ(((SOCKADDR_IN *)res->ai_addr)->sin_addr.S_un.S_un_b.s_b1, 127);
    freeaddrinfo(res);

    /* AI_PASSIVE without a node: the any address. */
    hints.ai_flags = AI_PASSIVE;
    res = NULL;
    CHECK_EQ(getaddrinfo(NULL, "9", &hints, &res), 0);
    CHECK_EQ(((SOCKADDR_IN *)res->ai_addr)->sin_addr.s_addr, INADDR_ANY);
    freeaddrinfo(res);

    /* AI_CANONNAME: the name is in Windows' field order (after ai_addrlen). */
    hints.ai_flags = AI_CANONNAME;
    res = NULL;
    CHECK_EQ(getaddrinfo("localhost", NULL, &hints, &res), 0);
    CHECK(res->ai_canonname != NULL && res->ai_canonname[0] != '\0');
    freeaddrinfo(res);

    /* Errors are Winsock codes, returned and set as the last error. */
    hints.ai_flags = AI_NUMERICHOST;
    res = NULL;
    int rc = getaddrinfo("localhost", NULL, &hints, &res);
    CHECK_EQ(rc, WSAHOST_NOT_FOUND);
    CHECK_EQ(rc, EAI_NONAME);
    CHECK_EQ(WSAGetLastError(), WSAHOST_NOT_FOUND);
    hints.ai_flags = 0;
    hints.ai_family = 10; /* Linux's AF_INET6 means nothing here */
    CHECK_EQ(getaddrinfo("::1", NULL, &hints, &res), WSAEAFNOSUPPORT);
    hints.ai_family = AF_UNSPEC;
    rc = getaddrinfo("no-such-host.invalid", NULL, &hints, &res);
    /* Without a resolver the lookup may fail as "try again" instead. */
    if (rc != WSAHOST_NOT_FOUND && rc != WSATRY_AGAIN && rc != WSANO_DATA)
        FAIL("getaddrinfo(no-such-host.invalid) = %d, wanted WSAHOST_NOT_FOUND", rc);
    CHECK_EQ(WSAGetLastError(), rc);
    CHECK(gai_strerror(WSAHOST_NOT_FOUND)[0] != '\0');
    CHECK(gai_strerrorA(EAI_NONAME) != NULL);
    freeaddrinfo(NULL);
}

static void test_getnameinfo(void)
{
    SOCKADDR_IN a = loopback_any_port();
    a.sin_port = htons(8080);
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    CHECK_EQ(getnameinfo((SOCKADDR *)&a, sizeof a, host, sizeof host, serv, sizeof serv,
                         NI_NUMERICHOST | NI_NUMERICSERV),
             0);
    CHECK(strcmp(host, "127.0.0.1") == 0);
    CHECK(strcmp(serv, "8080") == 0);

    SOCKADDR_IN6 a6;
    memset(&a6, 0, sizeof a6);
    a6.sin6_family = AF_INET6;
    a6.sin6_addr = in6addr_loopback;
    CHECK_EQ(getnameinfo((SOCKADDR *)&a6, sizeof a6, host, sizeof host, NULL, 0, NI_NUMERICHOST),
             0);
    CHECK(strcmp(host, "::1") == 0);
    /* A result that does not fit. */
    CHECK_EQ(getnameinfo((SOCKADDR *)&a, sizeof a, host, 4, NULL, 0, NI_NUMERICHOST), WSAEFAULT);
}

static void test_hostent_servent(void)
{
    struct hostent *he = gethostbyname("localhost");
    CHECK(he != NULL);
    CHECK_EQ(he->h_addrtype, AF_INET);
    CHECK_EQ(he->h_length, 4);
    CHECK(he->h_addr_list[0] != NULL);
    CHECK_EQ((unsigned char)he->h_addr[0], 127);
    CHECK(he->h_name != NULL && he->h_aliases != NULL);

    he = gethostbyname("10.20.30.40");
    CHECK(he != NULL);
    IN_ADDR ia;
    memcpy(&ia, he->h_addr_list[0], 4);
    CHECK_EQ(ia.s_addr, inet_addr("10.20.30.40"));
    CHECK(he->h_addr_list[1] == NULL);

    ia.s_addr = htonl(INADDR_LOOPBACK);
    he = gethostbyaddr((const char *)&ia, 4, AF_INET);
    if (he) {
        CHECK_EQ(he->h_addrtype, AF_INET);
        CHECK(memcmp(he->h_addr_list[0], &ia, 4) == 0);
    }
    CHECK_ERR(gethostbyaddr((const char *)&ia, 4, 10), NULL, WSAEAFNOSUPPORT);

    char name[256];
    CHECK_EQ(gethostname(name, sizeof name), 0);
    CHECK(name[0] != '\0');

    /* The services database may be missing (no netbase): then WSANO_DATA. */
    struct servent *se = getservbyname("http", "tcp");
    if (se) {
        CHECK_EQ(se->s_port, (short)htons(80));
        CHECK(strcmp(se->s_proto, "tcp") == 0);
        se = getservbyport(htons(80), "tcp");
        CHECK(se != NULL);
        CHECK_EQ(se->s_port, (short)htons(80));
    } else {
        CHECK_EQ(WSAGetLastError(), WSANO_DATA);
    }
    CHECK(getservbyname("no-such-service-xyz", "tcp") == NULL);
    CHECK_EQ(WSAGetLastError(), WSANO_DATA);
}

int main(void)
{
    /* Byte order and text conversions work without WSAStartup, as on Windows. */
    CHECK_EQ(htons(1), 0x100);
    CHECK_EQ(inet_addr("1.2.3.4"), htonl(0x01020304));
    test_init();
    test_byte_order();
    test_text_forms();
    test_getaddrinfo();
    test_getnameinfo();
    test_hostent_servent();
    WSACleanup();
    /* The resolver needs WSAStartup. */
    ADDRINFOA *res = NULL;
    CHECK_EQ(getaddrinfo("127.0.0.1", NULL, NULL, &res), WSANOTINITIALISED);
    printf("h_addr: ok (%s)\n", test_engine());
    return 0;
}
