#pragma once
#include <string>
#include <vector>

namespace ds {

// One image of a dataset on disk.
struct DatasetItem {
    std::string path;
    std::string label; // "good" or the defect type (the test/<type> folder name)
    std::string maskPath; // ground_truth/<type>/<stem>_mask.png; empty for good images or when absent
    bool isDefective() const { return label != "good"; }
};

// A dataset in the MVTec AD layout: train/good, test/<type>, ground_truth/<type>.
struct MvtecDataset {
    std::string root;
    std::string name; // the root folder's name, e.g. "bottle"
    std::vector<DatasetItem> train;
    std::vector<DatasetItem> test;
};

// The file name extensions DefectScope reads as images, lower case without the dot: the
// one list every front end asks (file dialogs, drops, folder listing).
const std::vector<std::string>& supportedImageExtensions();
// True when path ends in one of them, in any case.
bool isSupportedImageFile(const std::string& path);

// Sorted paths of the image files (isSupportedImageFile) directly in folder.
std::vector<std::string> listImageFiles(const std::string& folder);

// Reads the layout (not the pixels). Throws ds::InputError when root has no train/good
// with images, or no test folder.
MvtecDataset readMvtecDataset(const std::string& root);

// A plain folder of good images, e.g. for `train --images DIR`.
std::vector<DatasetItem> readGoodFolder(const std::string& folder);

} // namespace ds
