// The main of the replay build (-Dfuzzing=replay, any compiler): runs the target once on
// every file named on the command line, or in a directory named there (not recursive,
// sorted, hidden files skipped). An invariant violation abort()s, failing the test; the
// input being replayed is printed first. Exits 1 when a path is missing or no input ran.
#include <algorithm>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

// The input being replayed, for the crash handler (which may only call write()).
char current_input[4096];

void on_crash(int signal_number) {
  static constexpr char kPrefix[] = "\nreplay: crashed on input ";
  (void)!write(STDERR_FILENO, kPrefix, sizeof kPrefix - 1);
  size_t length = 0;
  while (length < sizeof current_input && current_input[length] != '\0') ++length;
  (void)!write(STDERR_FILENO, current_input, length);
  (void)!write(STDERR_FILENO, "\n", 1);
  std::signal(signal_number, SIG_DFL);
  std::raise(signal_number);
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  for (const int signal_number : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL}) {
    std::signal(signal_number, on_crash);
  }
  std::vector<fs::path> inputs;
  for (int i = 1; i < argc; ++i) {
    const fs::path path(argv[i]);
    std::error_code error;
    if (fs::is_directory(path, error)) {
      std::vector<fs::path> files;
      for (const auto& entry : fs::directory_iterator(path)) {
        if (entry.is_regular_file() && entry.path().filename().string().front() != '.') {
          files.push_back(entry.path());
        }
      }
      std::sort(files.begin(), files.end());
      inputs.insert(inputs.end(), files.begin(), files.end());
    } else if (fs::is_regular_file(path, error)) {
      inputs.push_back(path);
    } else {
      std::fprintf(stderr, "replay: no such file or directory: %s\n", argv[i]);
      return 1;
    }
  }
  if (inputs.empty()) {
    std::fprintf(stderr, "replay: no inputs (usage: %s FILE_OR_DIR...)\n", argv[0]);
    return 1;
  }
  for (const fs::path& input : inputs) {
    const std::string name = input.string();
    name.copy(current_input, sizeof current_input - 1);
    current_input[std::min(name.size(), sizeof current_input - 1)] = '\0';
    std::ifstream file(input, std::ios::binary);
    const std::vector<char> bytes((std::istreambuf_iterator<char>(file)),
                                  std::istreambuf_iterator<char>());
    if (!file.good() && !file.eof()) {
      std::fprintf(stderr, "replay: cannot read %s\n", name.c_str());
      return 1;
    }
    // A copy of exactly the input's size, so ASan catches reads past the end.
    std::vector<uint8_t> data(bytes.begin(), bytes.end());
    (void)LLVMFuzzerTestOneInput(data.data(), data.size());
  }
  std::printf("replay: %zu inputs ran without a finding\n", inputs.size());
  return 0;
}
