/* A C host of verdict, built against the installed files with pkg-config
 * (tests/package/install.sh):
 *   cc main.c $(pkg-config --cflags --libs verdict)
 *   ./a.out POLICY DATA INPUT NOW EXPECTED
 * Loads POLICY and DATA, evaluates INPUT at NOW, prints the decision and exits 0 when it
 * contains EXPECTED. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <verdict/verdict.h>

static char* slurp(const char* path, size_t* size) {
  FILE* f = fopen(path, "rb");
  if (!f) { perror(path); exit(2); }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char* buf = malloc((size_t)n + 1);
  if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) { fprintf(stderr, "cannot read %s\n", path); exit(2); }
  fclose(f);
  *size = (size_t)n;
  return buf;
}

int main(int argc, char** argv) {
  if (argc != 6) { fprintf(stderr, "usage: %s POLICY DATA INPUT NOW EXPECTED\n", argv[0]); return 2; }
  printf("verdict %s, C ABI %u\n", verdict_version(), (unsigned)verdict_abi_version());
  verdict_engine* e = verdict_engine_new();
  size_t n;
  char* policy = slurp(argv[1], &n);
  if (verdict_load_policy(e, policy, n, argv[1], strlen(argv[1])) != VERDICT_OK) {
    fprintf(stderr, "policy: %s\n", verdict_last_error(e));
    return 1;
  }
  char* data = slurp(argv[2], &n);
  if (verdict_load_data(e, data, n, argv[2], strlen(argv[2])) != VERDICT_OK) {
    fprintf(stderr, "data: %s\n", verdict_last_error(e));
    return 1;
  }
  char* input = slurp(argv[3], &n);
  int rc = verdict_eval(e, NULL, 0, input, n, argv[4], strlen(argv[4]), VERDICT_EVAL_JSON);
  printf("%s\n", verdict_result(e));
  int found = strstr(verdict_result(e), argv[5]) != NULL;
  verdict_engine_free(e);
  free(policy);
  free(data);
  free(input);
  if (rc != VERDICT_OK || !found) { fprintf(stderr, "rc %d, expected %s\n", rc, argv[5]); return 1; }
  return 0;
}
