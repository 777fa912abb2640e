#pragma once
#include "core/detectors/Detector.h"

#include <QObject>

#include <cstdint>
#include <vector>

class QAction;
class QMenu;
class QWidget;

namespace ds::ui {

class ModelsModel;
class ModelsView;
class ProjectSession;
class ReviewPage;

// The project's models and what is done to one: the list, and the Model menu's train,
// score, compare, retrain with reviewed-good images and delete, each asked first where it
// cannot be undone. Long work goes to the window's job runner through the requests below.
class ModelsPage : public QObject {
    Q_OBJECT
public:
    ModelsPage(ModelsModel* models, ProjectSession* session, ReviewPage* review, QWidget* window);

    ModelsView* view() const { return view_; }
    ModelsModel* models() const;
    // The Model menu's actions (and the list's context menu).
    void addActions(QMenu* menu);
    // What may be done now: idle, no job runs.
    void updateActions(bool idle);

    // Reads the models again, keeping the selection; a message when that fails.
    void refresh();
    std::int64_t selectedModelId() const;
    // Selects modelId (also when it is selected already: its run may be new) and says so.
    void select(std::int64_t modelId);
    void selectNewest();

    // Removes the model with its runs and results (no confirmation: see deleteDialog).
    bool deleteModel(std::int64_t modelId);
    // Moves the test images reviewed Good into the training set and retrains the selected
    // model's settings on it (no confirmation: see retrainDialog).
    bool retrainWithReviewedGood();

Q_SIGNALS:
    void selectionChanged();
    // moveToTraining: images that join the training set if, and only if, training succeeds.
    void trainRequested(const ds::DetectorSettings& settings, const QString& name,
                        const std::vector<std::int64_t>& moveToTraining);
    void scoreRequested();
    void compareRequested();
    void message(bool error, const QString& title, const QString& text, const QString& details);
    void status(const QString& text, int milliseconds);

private:
    void trainDialog();
    void deleteDialog();
    void retrainDialog();

    ProjectSession* session_;
    ReviewPage* review_;
    QWidget* window_;
    ModelsView* view_;
    QAction* train_ = nullptr;
    QAction* score_ = nullptr;
    QAction* compare_ = nullptr;
    QAction* retrain_ = nullptr;
    QAction* delete_ = nullptr;
};

} // namespace ds::ui
