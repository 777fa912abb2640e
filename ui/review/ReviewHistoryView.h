#pragma once
#include <QTreeWidget>

#include <cstdint>
#include <functional>

namespace ds {
class ProjectFile;
}

namespace ds::ui {

// Everything people did to one image, oldest first: verdicts and mask edits, with who,
// when, and the model and threshold they were looking at.
class ReviewHistoryView : public QTreeWidget {
    Q_OBJECT
public:
    using ModelName = std::function<QString(std::int64_t modelId)>;

    explicit ReviewHistoryView(ModelName modelName, QWidget* parent = nullptr);

    // Throws ds::Error when the project cannot be read; imageId 0 clears the view.
    void showImage(const ds::ProjectFile& project, std::int64_t imageId);

private:
    ModelName modelName_;
};

} // namespace ds::ui
