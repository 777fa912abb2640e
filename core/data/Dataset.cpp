#include "core/data/Dataset.h"

#include "core/Error.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace fs = std::filesystem;

namespace ds {

const std::vector<std::string>& supportedImageExtensions()
{
    static const std::vector<std::string> extensions = {"png", "jpg", "jpeg", "bmp", "tif", "tiff", "webp"};
    return extensions;
}

bool isSupportedImageFile(const std::string& path)
{
    std::string ext = fs::path(path).extension().string();
    if (ext.empty())
        return false;
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    const std::vector<std::string>& known = supportedImageExtensions();
    return std::find(known.begin(), known.end(), ext.substr(1)) != known.end();
}

namespace {

std::vector<std::string> sortedSubfolders(const fs::path& folder)
{
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(folder, ec))
        if (entry.is_directory(ec)) // a symlink loop is not a folder: skipped, not fatal
            names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

} // namespace

std::vector<std::string> listImageFiles(const std::string& folder)
{
    std::vector<std::string> files;
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
        throw InputError(folder + ": folder not found");
    // Every non-folder with an image's name, even a broken link, a symlink loop or a pipe:
    // loading refuses those with the reason, so they are listed as skipped, never fatal.
    for (const auto& entry : fs::directory_iterator(folder, ec)) {
        std::error_code entryError;
        if (!entry.is_directory(entryError) && isSupportedImageFile(entry.path().string()))
            files.push_back(entry.path().string());
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::vector<DatasetItem> readGoodFolder(const std::string& folder)
{
    std::vector<DatasetItem> items;
    for (const std::string& path : listImageFiles(folder))
        items.push_back({path, "good", {}});
    if (items.empty())
        throw InputError(folder + ": contains no PNG, JPEG, BMP, TIFF or WebP images");
    return items;
}

MvtecDataset readMvtecDataset(const std::string& root)
{
    const fs::path rootPath(root);
    const fs::path trainGood = rootPath / "train" / "good";
    const fs::path test = rootPath / "test";
    std::error_code ec;
    if (!fs::is_directory(trainGood, ec))
        throw InputError(root + ": not an MVTec AD layout (missing train/good)");
    if (!fs::is_directory(test, ec))
        throw InputError(root + ": not an MVTec AD layout (missing test/)");

    MvtecDataset dataset;
    dataset.root = root;
    dataset.name = fs::weakly_canonical(rootPath).filename().string();
    dataset.train = readGoodFolder(trainGood.string());
    for (const std::string& type : sortedSubfolders(test)) {
        for (const std::string& path : listImageFiles((test / type).string())) {
            DatasetItem item {path, type, {}};
            if (item.isDefective()) {
                const fs::path mask = rootPath / "ground_truth" / type / (fs::path(path).stem().string() + "_mask.png");
                if (fs::exists(mask, ec))
                    item.maskPath = mask.string();
            }
            dataset.test.push_back(std::move(item));
        }
    }
    if (dataset.test.empty())
        throw InputError(root + ": test/ holds no images");
    return dataset;
}

} // namespace ds
