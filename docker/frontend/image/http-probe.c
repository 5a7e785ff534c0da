/* http-probe PORT PATH: exit 0 when http://127.0.0.1:PORT/PATH answers 200.
 * The health check of the scratch-based nginx image, which has no shell or curl. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: http-probe PORT PATH\n");
        return 2;
    }
    alarm(5); /* a hung server fails the check instead of stalling it */
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1]))};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int sock = socket(AF_INET, SOCK_STREAM, 0);
    if (sock < 0 || connect(sock, (struct sockaddr *)&address, sizeof address) != 0) {
        perror("http-probe: connect");
        return 1;
    }
    char request[512];
    int length = snprintf(request, sizeof request,
                          "GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n", argv[2]);
    if (length < 0 || (size_t)length >= sizeof request || write(sock, request, length) != length) {
        perror("http-probe: write");
        return 1;
    }
    char status[13] = {0}; /* "HTTP/1.1 200" */
    size_t got = 0;
    ssize_t n;
    while (got < sizeof status - 1 && (n = read(sock, status + got, sizeof status - 1 - got)) > 0)
        got += (size_t)n;
    if (got < sizeof status - 1 || strncmp(status + 9, "200", 3) != 0) {
        fprintf(stderr, "http-probe: %s answered \"%s\"\n", argv[2], status);
        return 1;
    }
    return 0;
}
