#pragma once
#include <opencv2/core.hpp>

#include <string>
#include <vector>

// Deterministic synthetic anomaly-detection datasets in the MVTec AD layout, so that
// DefectScope can be demonstrated and tested without downloading anything.
//
// Every image is rendered at least 2x its final size (and at least 256 px), downsampled,
// then given uneven illumination and sensor noise at its final size. Everything random
// comes from cv::RNG streams seeded from (category, seed, purpose): the same arguments
// give the same pixels, on every call and every run. See datasets/README.md for what
// the categories and defects look like.
namespace ds {

struct SyntheticSpec {
    std::string category; // one of syntheticCategories()
    int imageSize = 256; // side of the square images, in pixels (32..1024)
    int trainGood = 60; // images in train/good
    int testGood = 20; // images in test/good
    int testDefectsPerType = 6; // images per defect type of the category, in test/<type>
    unsigned seed = 1; // different seeds give different (but alike) datasets
};

// Category names, in a fixed order: {"fabric", "tiles", "part"}.
std::vector<std::string> syntheticCategories();

// Defect type names of a category (folder names under test/ and ground_truth/), in a
// fixed order. Throws std::invalid_argument for an unknown category.
std::vector<std::string> defectTypes(const std::string& category);

// Writes root/<category>/ in the MVTec AD layout:
//   train/good/000.png ...               spec.trainGood good images
//   test/good/000.png ...                spec.testGood good images
//   test/<type>/000.png ...              spec.testDefectsPerType defective images per type
//   ground_truth/<type>/000_mask.png ... their masks
// Images are 8-bit BGR PNGs of imageSize x imageSize; masks are 8-bit single-channel
// PNGs of the same size, 255 on the defect and 0 elsewhere. Directories are created
// as needed; files of the same name are overwritten, other files are left alone, so
// write into a fresh directory to get exactly the spec's images.
// Same spec -> byte-identical files. Returns the category folder path.
// Throws std::invalid_argument for a bad spec (unknown category, size out of range,
// negative count) and std::runtime_error naming the path when a directory or file
// cannot be written.
std::string writeSyntheticDataset(const std::string& root, const SyntheticSpec& spec);

// One defect-free image: CV_8UC3 (BGR), imageSize x imageSize. imageSize in 32..1024.
// Throws std::invalid_argument for an unknown category or a size out of range.
cv::Mat makeGoodImage(const std::string& category, int imageSize, unsigned seed);

struct DefectSample {
    cv::Mat image; // CV_8UC3 (BGR), imageSize x imageSize
    cv::Mat mask; // CV_8UC1, same size, 255 on the defect and 0 elsewhere; never empty
    std::string type; // the defect type it was made with
};

// makeGoodImage(category, imageSize, seed) with one defect of the given type added:
// pixels away from the mask are those of the good image (only the soft fringe of a
// defect, at most a few pixels wide, may reach outside its mask). Defects cover
// roughly 0.3%-5% of the image. Throws std::invalid_argument for an unknown category,
// a defect type not in defectTypes(category) or a size out of range.
DefectSample makeDefectImage(const std::string& category, const std::string& defectType, int imageSize, unsigned seed);

} // namespace ds
