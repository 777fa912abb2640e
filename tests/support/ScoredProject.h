#pragma once
// A scored project for the workbench tests: the small synthetic part dataset imported in
// its MVTec layout, one model of the small settings ("gui-model") trained and every test
// image scored, made once per test process through core's jobs; each test then works on
// its own copy, so no test depends on another's leftovers.
#include "core/jobs/JobContext.h"
#include "core/jobs/ProjectJobs.h"
#include "core/storage/ProjectFile.h"
#include "datasets/SyntheticDataset.h"
#include "tests/support/SmallDataset.h"

#include <QDir>
#include <QFile>
#include <QString>

#include <cstdint>
#include <stdexcept>

namespace ds::test {

class ScoredProject {
public:
    // Builds the dataset and the project under folder (which must outlive this).
    explicit ScoredProject(const QString& folder)
        : folder_(folder)
    {
        const SyntheticSpec spec = smallPartSpec();
        dataset_
            = QString::fromStdString(writeSyntheticDataset(QDir(folder).filePath(QStringLiteral("data")).toStdString(), spec));
        testImages_ = testImageCount(spec);
        const std::string project = QDir(folder).filePath(QStringLiteral("scored.dsproj")).toStdString();
        JobContext job;
        importMvtecDataset(project, dataset_.toStdString(), job);
        modelId_ = trainModel(project, smallSettings(), "gui-model", job).modelId;
        inferImages(project, modelId_, {}, job);
        template_ = QString::fromStdString(project);
    }

    // A fresh copy of the scored project, named name in the folder.
    QString copy(const QString& name) const
    {
        const QString path = QDir(folder_).filePath(name);
        for (const QString& file : {path, path + QStringLiteral("-wal"), path + QStringLiteral("-shm")})
            QFile::remove(file);
        ProjectFile::open(template_.toStdString()).saveCopyAs(path.toStdString());
        return path;
    }

    QString dataset() const { return dataset_; }
    int testImages() const { return testImages_; }
    std::int64_t modelId() const { return modelId_; }

private:
    QString folder_;
    QString dataset_;
    QString template_;
    int testImages_ = 0;
    std::int64_t modelId_ = 0;
};

} // namespace ds::test
