#pragma once
#include <QTableView>

#include <cstdint>

namespace ds {
class ProjectFile;
}

namespace ds::ui {

class ModelsModel;

// The project's models, one row each (ModelsModel), one of them selected. Del asks for the
// selected model's deletion; the view's context menu holds the actions added to it.
class ModelsView : public QTableView {
    Q_OBJECT
public:
    explicit ModelsView(ModelsModel* models, QWidget* parent = nullptr);

    ModelsModel* models() const { return models_; }
    // Reads the project's models again (none without a project), keeping the selection
    // without signalling it. Throws ds::Error when the project cannot be read.
    void refresh(const ds::ProjectFile* project);
    std::int64_t selectedModelId() const; // 0: none
    // Selects modelId without signalling it; false when it is not listed.
    bool select(std::int64_t modelId);
    std::int64_t newestModelId() const; // 0: no model

Q_SIGNALS:
    void selectionChanged();
    void deleteRequested();

private:
    ModelsModel* models_;
};

} // namespace ds::ui
