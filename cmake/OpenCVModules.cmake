# Debian's three OpenCV module packages ship no OpenCVConfig.cmake (only the full
# libopencv-dev does), so the modules DefectScope needs are imported by hand.
find_path(OpenCV_INCLUDE_DIR opencv2/core.hpp PATH_SUFFIXES opencv4 REQUIRED)
foreach(module core imgproc imgcodecs photo)
  find_library(OpenCV_${module}_LIBRARY opencv_${module} REQUIRED)
  add_library(OpenCV::${module} UNKNOWN IMPORTED)
  set_target_properties(OpenCV::${module} PROPERTIES
    IMPORTED_LOCATION ${OpenCV_${module}_LIBRARY}
    INTERFACE_INCLUDE_DIRECTORIES ${OpenCV_INCLUDE_DIR})
endforeach()
