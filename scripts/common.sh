# Shared by scripts/run and scripts/test: installs what is missing, then configures and
# builds incrementally into build/. Sourced, not run.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${DEFECTSCOPE_BUILD_DIR:-$REPO/build}"

# libopenblas0-openmp: without it Debian's LibTorch uses the reference BLAS (matmul ~30x slower).
PACKAGES=(cmake ninja-build g++ qt6-base-dev libqt6sql6-sqlite libopencv-core-dev libopencv-imgproc-dev
          libopencv-imgcodecs-dev libopencv-photo-dev libjpeg62-turbo-dev libtorch-dev libqcustomplot-dev libqcustomplot2.1-qt6 libsqlite3-dev
          libopenblas0-openmp xvfb xauth clang-format-14 git)

install_missing_packages() {
  local missing=()
  for package in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing: ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
}

build_project() {
  if [ ! -f "$BUILD/build.ninja" ]; then
    cmake -S "$REPO" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDEFECTSCOPE_WERROR=ON
  fi
  # Each LibTorch translation unit needs ~1.5 GB to compile: one job per core is the limit.
  cmake --build "$BUILD" -j "$(nproc)"
}

# LibTorch's OpenMP threads must sleep when idle; libgomp reads this at load time.
export OMP_WAIT_POLICY=PASSIVE
install_missing_packages
[ "${1:-}" = "--packages-only" ] || build_project
